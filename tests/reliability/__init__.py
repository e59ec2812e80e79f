"""The fault-injecting reliability suite (issue 5): scripted loopback faults against every codec."""
