"""What the repository's own tests share (the platform launcher, the browser tests' scene and page
helpers): a package of its own name, importable from the repository's root, because the name
``tests`` is taken by the services' test packages."""
