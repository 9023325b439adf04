"""The window's jobs, one object each: checkpoint slots, the comparison queue, exports."""
