"""Procedural ShapeNet stand-in: analytic parts (parts) with materials (kit), one generator per
class (families, furniture, devices) calibrated against real class statistics (real_stats,
stats), a numpy ray-caster (render), a binvox-like solid voxeliser (voxelize) and the
R2N2-layout writer (writer)."""
