"""The masters (``service.MastersService``): customers, goods and prices,
organisation, schemes, and the CSV import of masters and stock."""
