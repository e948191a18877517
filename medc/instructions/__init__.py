"""MedC-I assembly: the wording of every instruction (`templates`), named settings bundles (`presets`), and the
finalizer that turns staged records into `train`/`validation` shards (`assembly`: decides in `plan`, with exact
and near dedup (`near_dedup`), per-source caps and weights, and decontamination from `medc.decontamination`).
The builders in `builders/` use `templates`; `medc build-i` wires the rest.
"""
