"""Reconstruction models: the shared types (``base``), the two architectures of the paper
(``baseline``, ``proposed``), their parts (``encoders``, ``decoder``) and the registry that
lists them (``registry``: descriptors, ``register_model``, ``build_model``)."""
