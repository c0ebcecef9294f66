"""Launches airbyte-source-mailchimp 2.0.37 on airbyte-cdk 7: its own entry point (run.py) first runs a
config migration that prints a control message with `.json()`, which CDK 7's dataclass messages lack,
and its source class passes no config to the declarative source, which CDK 7 needs. This launcher
gives the config to the source and skips the migration (the CI config already has `data_center`)."""
import json
import sys

from airbyte_cdk.entrypoint import AirbyteEntrypoint, launch
from airbyte_cdk.sources.declarative.yaml_declarative_source import YamlDeclarativeSource
import source_mailchimp.source


class Source(source_mailchimp.source.SourceMailchimp):
    def __init__(self, config):
        YamlDeclarativeSource.__init__(self, path_to_yaml="manifest.yaml", config=config)


Source.__module__ = "source_mailchimp.source"
args = sys.argv[1:]
path = AirbyteEntrypoint.extract_config(args)
config = json.load(open(path)) if path else None
launch(Source(config), args)
