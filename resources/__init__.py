"""Shipped data of recon-gui (demo checkpoints, sample pictures, icons), installed as the
package ``recon_resources``; reach it through ``core.resources.resource_path``."""
