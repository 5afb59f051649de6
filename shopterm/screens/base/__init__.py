"""The bases every screen builds on.

``document``: ``ShopScreen`` (status bar, message bar, footer) and ``DocumentScreen``
(the draft / save / print / history / voucher life cycle); ``counter``:
``CounterScreen`` and its fields; ``mixins``: ``Background`` and
``DebouncedPreview``; ``sales_document``: ``SalesDocumentScreen`` (order,
proforma, provisional invoice); ``linked_document``: ``LinkedDocumentScreen``
(delivery note, sales return, direct return)."""
