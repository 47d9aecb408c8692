"""The scoring service: scores of firms, owners and industry authorities (Art. 7, 37, 39–49): rule sets
per industry authority, an explainable ledger, annual composites, the five-colour code and a feed
for the audit, credit-code and tender systems."""
