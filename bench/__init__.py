"""Benchmarks: figures for the README come from here, never from timed tests."""
