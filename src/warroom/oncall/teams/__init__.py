"""Teams and who belongs to them."""
