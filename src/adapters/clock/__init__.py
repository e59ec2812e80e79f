"""Clock adapters: the system clock and a fake that never sleeps."""
