#!/usr/bin/env python
from ifm.cli import main

if __name__ == "__main__":
    main()
