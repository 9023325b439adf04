"""Procedural ShapeNet stand-in: analytic parts per class (families), a numpy ray-caster
(render), a binvox-like solid voxeliser (voxelize) and the R2N2-layout writer (writer)."""
