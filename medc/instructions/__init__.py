"""MedC-I assembly: the wording of every instruction (`templates`), and the finalizer that turns staged
records into `train`/`validation` shards with per-source caps and weights, exact dedup and decontamination
(`assembly`, `decontamination`). The builders in `builders/` use `templates`; `medc build-i` wires the rest.
"""
