"""Compliance: the breach register (GDPR Art. 33(5)), regulatory clocks read
from regime profiles under ``rules/regimes/``, the DPO notice and the drafts
and submissions that go with a breach."""
