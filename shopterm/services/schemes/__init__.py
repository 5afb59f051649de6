"""Schemes applied inside documents: prices and discount slabs in force on a date,
free offers (promotions), loyalty points."""
