"""Settings shared by every suite."""

from hypothesis import settings

# No per-example time limit: a deadline is a timed assertion, and on a loaded two-core machine it
# fails tests that are correct. Speed is measured by the benchmarks instead (bench/).
settings.register_profile("dts", deadline=None)
settings.load_profile("dts")
