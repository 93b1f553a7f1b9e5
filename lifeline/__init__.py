"""lifeline: can a cut-off place get online through a LEO constellation, how well, and what
would it take?

>>> import lifeline
>>> result = lifeline.run("mariupol-2022", out_dir="out")   # doctest: +SKIP
>>> result.summary_frame                                    # doctest: +SKIP
"""

__all__ = ["RunResult", "load_scenario", "run"]


def __getattr__(name: str):
    # Lazy: importing a model module (lifeline.geo, ...) must not pull in the whole engine.
    if name in __all__:
        from lifeline import api

        return getattr(api, name)
    raise AttributeError(f"module 'lifeline' has no attribute {name!r}")
