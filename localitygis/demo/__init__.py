"""The demo county: real Herefordshire small areas, generated parishes, labelled as such.

* :mod:`~localitygis.demo.county` — :func:`generate_demo`, :func:`load_demo`,
  :func:`write_demo` and the :class:`DemoCounty` they return;
* :mod:`~localitygis.demo.realgeo` — the bundled copy of the real OAs, wards and IoD2019
  tables, and how it is derived from the files as published;
* :mod:`~localitygis.demo.layers` — the real layers: repaired OAs, LSOAs, wards, outline;
* :mod:`~localitygis.demo.parishes` — generated parishes tiling the real wards;
* :mod:`~localitygis.demo.catchments` — generated catchments from the real school sites;
* :mod:`~localitygis.demo.population` — the real populations apportioned to OAs and parishes;
* :mod:`~localitygis.demo.geometry` — displacement fields, connected regions, cut lines;
* :mod:`~localitygis.demo.facts` — the packaged fact tables (places, schools, localities);
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
