"""Running the shop: users and PINs, shop set-up, the audit log and the hash
chains that make the books tamper-evident, backup, the demo shop."""
