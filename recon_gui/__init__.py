"""recon-gui: the Qt desktop studio (a thin layer over core)."""
