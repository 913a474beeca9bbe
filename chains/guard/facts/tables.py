"""What a claim about software can name: languages, platforms, licences, organisations, tools,
units, number words, superlatives, makers, flags, commands and opposite words.

Plain tables and compiled patterns for the structured checks (kinds.py, polarity.py) and for
`ProjectFacts` (project.py); no checks here.
"""

from __future__ import annotations

import re

FACT_KINDS = (
    "url",
    "handle",
    "version",
    "file",
    "package",
    "flag",
    "command",
    "tool",
    "number",
    "language",
    "platform",
    "licence",
    "person",
    "organisation",
    "superlative",
    "capability",
    "negation",
)

# canonical name -> pattern (case-insensitive unless noted by a (?-i:...) group)
LANGUAGES: dict[str, str] = {
    "Python": r"python|cpython|pypy",
    "JavaScript": r"javascript|node\.?js|ecmascript",
    "TypeScript": r"typescript",
    "Rust": r"rust",
    "Go": r"(?-i:Go)|golang",
    "Java": r"java(?!script)",
    "Kotlin": r"kotlin",
    "Scala": r"scala",
    "Ruby": r"ruby",
    "C++": r"c\+\+|cpp",
    "C#": r"c#|\.net|dotnet",
    "C": r"(?-i:C)(?![+#])",
    "PHP": r"php",
    "Swift": r"swift",
    "Elixir": r"elixir",
    "Haskell": r"haskell",
    "Perl": r"perl",
    "Lua": r"lua",
    "Dart": r"dart",
    "Julia": r"julia",
    "Zig": r"zig",
    "R": r"(?-i:R)(?![\w'])",
}
# a project that installs with one of these is written for that language
_LANGUAGE_HINTS: dict[str, str] = {
    "Python": r"pip3? install|pypi|\.py\b|pyproject|requires-python|setup\.py|conda install|uv add",
    "JavaScript": r"npm (?:install|i)\b|yarn add|pnpm add|package\.json|node\.js\b",
    "TypeScript": r"\.ts\b|tsconfig",
    "Rust": r"cargo (?:install|add)|crates\.io|cargo\.toml|\.rs\b|crate\b",
    "Go": r"go (?:get|install)|go\.mod|pkg\.go\.dev|\.go\b",
    "Java": r"maven|gradle|\.jar\b|jdk|jvm",
    "Ruby": r"gem install|gemfile|rubygems|bundler|\.rb\b",
    "PHP": r"composer require|packagist",
    "C#": r"nuget|dotnet add",
}
PLATFORMS: dict[str, str] = {
    "Windows": r"windows|win32|win64",
    "macOS": r"macos|mac os|os x|osx|\bmac\b|homebrew",
    "Linux": r"linux|ubuntu|debian|fedora|arch linux|centos|rhel",
    "FreeBSD": r"freebsd",
    "iOS": r"\bios\b",
    "Android": r"android",
    "WebAssembly": r"webassembly|wasm",
    "the browser": r"browsers?\b",
    "Docker": r"docker",
    "Kubernetes": r"kubernetes|k8s",
    "AWS Lambda": r"aws lambda|lambda functions?",
    "Raspberry Pi": r"raspberry pi",
    "ARM": r"(?-i:ARM)|arm64|aarch64",
    "GPU": r"(?-i:GPU)s?|cuda",
}
LICENCES: dict[str, str] = {
    "MIT": r"(?-i:MIT)\b",
    "Apache": r"apache(?:[- ]2(?:\.0)?| license| licence| software license)?",
    "BSD": r"bsd",
    "GPL": r"(?<![al])gpl|gnu general public",
    "LGPL": r"lgpl|lesser general public",
    "AGPL": r"agpl|affero",
    "MPL": r"(?-i:MPL)|mozilla public",
    "ISC": r"(?-i:ISC)\b",
    "Unlicense": r"unlicense",
    "public domain": r"public domain",
    "proprietary": r"proprietary|closed[- ]source|commercial licen[cs]e",
    "Creative Commons": r"creative commons|cc-by|cc0",
    "PSF": r"(?-i:PSF)|python software foundation licen",
}
ORGANISATIONS = (
    "Google",
    "Microsoft",
    "Meta",
    "Facebook",
    "Amazon",
    "AWS",
    "Apple",
    "Netflix",
    "Uber",
    "Airbnb",
    "Spotify",
    "Twitter",
    "Stripe",
    "Mozilla",
    "IBM",
    "Oracle",
    "Red Hat",
    "NASA",
    "OpenAI",
    "Anthropic",
    "Hugging Face",
    "Shopify",
    "Dropbox",
    "Intel",
    "Nvidia",
    "NVIDIA",
    "JetBrains",
    "Vercel",
    "Cloudflare",
    "Salesforce",
    "Instagram",
    "Pinterest",
    "Reddit",
    "Slack",
    "Discord",
    "Tesla",
    "Samsung",
    "Alibaba",
    "Baidu",
    "Tencent",
    "CERN",
    "the Apache Software Foundation",
    "the Linux Foundation",
    "the Python Software Foundation",
    "Fortune 500",
)
_SUPERLATIVE = re.compile(
    r"\b(?:the\s+(?:world'?s\s+)?(?:fastest|quickest|best|most\s+\w+|leading|only|smallest|lightest|simplest|"
    r"easiest|largest|biggest|safest|most)|world'?s\s+(?:fastest|best|first|leading|most\s+\w+)|"
    r"(?:number|no\.?)\s*(?:one|1)\b|#1\b|industry[- ]standard|best[- ]in[- ]class|state[- ]of[- ]the[- ]art|"
    r"unmatched|unrivall?ed|unbeatable|fastest|most popular|most widely used|de facto standard|"
    r"blazing(?:ly)?[- ]fast|lightning[- ]fast|award[- ]winning|battle[- ]tested|"
    r"(?:thousands|millions|hundreds|dozens)\s+of\s+(?:companies|developers|teams|users|organi[sz]ations|enterprises)|"
    r"(?:used|trusted|relied\s+(?:up)?on|adopted|loved|backed|endorsed|recommended|chosen)\s+by\s+"
    r"(?:\w+\s+){0,3}?(?:millions|thousands|hundreds|many|most|companies|teams|developers|enterprises|"
    r"[A-Z][\w&.-]+)|in production at\s+[A-Z][\w&.-]+|powers\s+(?:\w+\s+){0,2}(?:millions|thousands|[A-Z][\w.-]+))",
    re.I,
)
_MAKER = re.compile(
    r"\b(?:(?:created|written|built|made|developed|maintained|authored|founded|designed|started|sponsored|"
    r"funded|backed|used|trusted|adopted)\s+(?:\w+\s+)?(?:by|at)|author(?:ed)?\s+(?:is|was)|from|by)\s+"
    r"((?:[A-Z][\w'’.-]*(?:\s+(?:van|von|de|da|der|du|la|le)\b)?\s*){1,4})"
)
_FLAG = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*(?:=\S+)?)")
_UNITS = {
    "ms": ("ms", "millisecond", "milliseconds"),
    "s": ("s", "sec", "secs", "second", "seconds"),
    "min": ("min", "mins", "minute", "minutes"),
    "h": ("h", "hour", "hours"),
    "x": ("x", "times", "×"),
    "%": ("%", "percent", "per cent"),
    "kb": ("kb", "kib", "kilobytes"),
    "mb": ("mb", "mib", "megabytes"),
    "gb": ("gb", "gib", "gigabytes"),
    "tb": ("tb", "terabytes"),
    "k": ("k", "thousand"),
    "m": ("million", "millions"),
    "ghz": ("ghz",),
}
_UNIT_OF = {alias: unit for unit, aliases in _UNITS.items() for alias in aliases}
_NUMBER_UNIT = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*("
    + "|".join(sorted((re.escape(a) for a in _UNIT_OF), key=len, reverse=True))
    + r")(?![\w])",
    re.I,
)
NUMBER_WORDS = {
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "fifteen": "15",
    "twenty": "20",
    "thirty": "30",
    "fifty": "50",
    "hundred": "100",
    "dozen": "12",
    "twice": "2",
    "half": "50",
}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.I)
# opposite words: a claim using one where the project's matching sentence uses the other says the opposite
ANTONYMS = (
    ("optional", "required"),
    ("enabled", "disabled"),
    ("enable", "disable"),
    ("synchronous", "asynchronous"),
    ("sync", "async"),
    ("case-sensitive", "case-insensitive"),
    ("include", "exclude"),
    ("includes", "excludes"),
    ("before", "after"),
    ("always", "never"),
    ("faster", "slower"),
    ("fast", "slow"),
    ("minimum", "maximum"),
    ("more", "less"),
    ("newer", "older"),
    ("higher", "lower"),
    ("first", "last"),
    ("static", "dynamic"),
    ("local", "remote"),
    ("public", "private"),
    ("mutable", "immutable"),
    ("blocking", "non-blocking"),
    ("supported", "unsupported"),
    ("deprecated", "recommended"),
    ("inside", "outside"),
    ("serial", "parallel"),
    ("serially", "parallel"),
    ("single", "multiple"),
    ("read-only", "writable"),
    ("lossless", "lossy"),
    ("stable", "experimental"),
    ("compiled", "interpreted"),
    ("free", "paid"),
)
_OPPOSITE = {a: b for a, b in ANTONYMS} | {b: a for a, b in ANTONYMS}
POLARITY_COVER = 0.75  # share of the claim's content words one project sentence must hold
_WEAK = frozenset("also it its can may will use uses used using".split())
_NEG_EXTRA = frozenset("unlikely unable lacks lack missing absent impossible".split())

_CODE_CMD = re.compile(r"`([a-z][\w.-]*)\s+[^`]*`")
_BARE_CMD = re.compile(
    r"(?<![\w-])(npm|yarn|pnpm|pip3?|pipx|conda|uv|poetry|cargo|go|gem|bundle|brew|apt(?:-get)?|choco|scoop|"
    r"mvn|gradle|dotnet|composer|docker|kubectl|make)\s+(install|add|get|run|build|test|start|exec|init)\b"
)


# well-known software a post may name: one the project never mentions is a swapped or invented name
TOOLS = tuple(
    """SQLite PostgreSQL Postgres MySQL MariaDB MongoDB Redis Memcached Cassandra DynamoDB Elasticsearch Kafka
    RabbitMQ Celery Docker Podman Kubernetes Terraform Ansible Nginx Bazel Maven Gradle Ant CMake Meson
    npm yarn pnpm conda pip poetry pipenv Homebrew Jenkins CircleCI Travis GraphQL gRPC REST SOAP XML YAML TOML
    INI Protobuf Avro Parquet HDF5 LaTeX AsciiDoc reStructuredText Sphinx MkDocs Jupyter Zeppelin Django Flask
    FastAPI Pyramid Bottle Tornado Starlette Rails Laravel React Vue Angular Svelte jQuery Node.js Deno
    webpack Vite Babel ESLint Prettier Jest Mocha pytest nose unittest tox Selenium Playwright Puppeteer NumPy
    pandas Polars SciPy CuPy Dask Spark Hadoop TensorFlow PyTorch Keras JAX scikit-learn XGBoost Bokeh matplotlib
    Plotly Seaborn D3 OpenCV FFmpeg GStreamer ImageMagick Pillow curses ncurses Mercurial Subversion SVN Perforce
    asyncio gevent trio Twisted uvloop HTTP/3 QUIC WebSocket WebSockets OAuth SAML LDAP JWT TLS SSH SFTP AES-256
    CUDA OpenCL Vulkan OpenGL DirectX Electron Tauri GTK Tkinter wxWidgets Unreal Blender
    Tableau PowerBI Snowflake BigQuery Redshift Airflow Prefect Luigi Jira Trello""".split()
)
_TOOL_RX = {
    t: re.compile(rf"(?<![\w-]){re.escape(t)}(?![\w-])", 0 if t[0].isupper() else re.I) for t in TOOLS
}
