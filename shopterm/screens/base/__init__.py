"""The bases every screen builds on: ``ShopScreen`` and ``DocumentScreen``
(``document``), ``CounterScreen`` and its fields (``counter``)."""
