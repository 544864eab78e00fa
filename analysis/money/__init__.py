"""Money in bills and awards: amounts, recipient types, links from awards to bills."""
