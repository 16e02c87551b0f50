"""``python -m itsskit``: the itsskit command."""

from itsskit.cli import main

main()
