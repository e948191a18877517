"""`medc eval`: accuracy on MedQA, MedMCQA and PubMedQA for any causal language model, reproducibly.

- `benchmark`: read a native benchmark file (via `medc.qa_formats`), with its sha256 and skip counts;
- `prompts`: lm-evaluation-harness-compatible prompts (loglik) and PMC-LLaMA's training format (generate);
- `loglik`: batched multiple-choice scoring by continuation log-likelihood (acc, acc_norm);
- `generate` + `answer_parser`: greedy generation and reading the chosen option out of the text;
- `run`: one model × one benchmark × one method; `report`: predictions JSONL, summary JSON/Markdown.

torch and transformers are imported inside the functions that need them.
"""
