"""Certificates of insurance (ACORD 25) checked against the contract that requires them:
:mod:`.parse` reads a certificate, :mod:`.requirements` states what the contract asks of
each policy, :mod:`.rules` are the coded COI rules and :mod:`.check` runs them."""
