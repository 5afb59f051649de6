"""``python -m shopterm`` — the same as the ``shopterm`` command."""

from shopterm.cli import main

if __name__ == "__main__":
    main()
