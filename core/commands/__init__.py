"""One module per ``recon`` subcommand: ``add_parser(subparsers)`` and ``run(args) -> int``."""
