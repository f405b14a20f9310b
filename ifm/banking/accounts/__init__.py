"""Banking: bank accounts and their CSV/XLSX column profiles."""
