"""The console's tables: none yet. Screens read and write through the other
domains' services; the live feed reads the incidents' timeline."""

from __future__ import annotations
