"""Private building blocks of :mod:`localitygis.demo` (the demo county generator).

Nothing here is public API: ``facts`` reads the packaged fact tables, ``geometry`` builds the
county outline, the parish coverage and the independently digitised catchments,
``population`` draws parish populations and small-area population points, and ``register``
builds the asset register and the synthetic postcode directory.
"""
