"""medc: rebuild the PMC-LLaMA corpora (MedC-K, MedC-I), publish them, train and evaluate on them."""

__version__ = "0.1.0"
