"""Model knowledge: context windows and capabilities (one table), prices from the pricing adapter."""
