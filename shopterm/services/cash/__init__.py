"""The till and the shop day: sales receipts and refunds, shop receipts and
payments, the currency exchange (``till``), Shop Open and Shop Close (``day``)."""
