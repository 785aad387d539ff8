"""The demo county: Herefordshire's facts, generated boundaries, labelled as generated.

* :mod:`~localitygis.demo.county` — :func:`generate_demo`, :func:`load_demo`,
  :func:`write_demo` and the :class:`DemoCounty` they return;
* :mod:`~localitygis.demo.facts` — the packaged fact tables (places, schools, localities);
* :mod:`~localitygis.demo.geometry` — the county outline, parish coverage and catchments;
* :mod:`~localitygis.demo.population` — parish populations and small-area population points;
* :mod:`~localitygis.demo.register` — the asset register and the synthetic postcode directory.
"""

from __future__ import annotations

from localitygis.demo.county import (
    DATA_SOURCE,
    DemoCounty,
    demo_dir,
    generate_demo,
    load_demo,
    write_demo,
)

__all__ = ["DATA_SOURCE", "DemoCounty", "demo_dir", "generate_demo", "load_demo", "write_demo"]
