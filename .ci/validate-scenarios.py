#!/usr/bin/env python3
"""Validates every scenario file against docs/scenario.schema.json (the schema editors use)."""
import glob
import json
import sys

import jsonschema
import yaml


class TextTimestamps(yaml.SafeLoader):
    """Keeps unquoted timestamps as text, as the scenario parser reads them."""


TextTimestamps.yaml_implicit_resolvers = {
    key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

schema = json.load(open("docs/scenario.schema.json"))
failed = 0
files = sorted(glob.glob("scenarios/**/*.yaml", recursive=True))
for path in files:
    try:
        jsonschema.validate(yaml.load(open(path), Loader=TextTimestamps), schema)
    except jsonschema.ValidationError as error:
        failed += 1
        print(f"{path}: {error.message[:300]}")
print(f"schema: {len(files) - failed} scenario files valid, {failed} invalid")
sys.exit(1 if failed else 0)
