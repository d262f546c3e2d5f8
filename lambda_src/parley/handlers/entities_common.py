"""What the entity routes of the api and api_public functions share: the declaration setting."""

from __future__ import annotations

from typing import cast

from parley.domain.entities import EMPTY, Declaration, Entity, load_setting
from parley.errors import NotFound
from parley.settings import BaseSettings, env, load, settings_class


@settings_class
class EntitySettings(BaseSettings):
    # The app's declaration (apps/<app>/app.json), as modules/stack/api.tf passes it.
    app_entities: Declaration = env("APP_ENTITIES", default=EMPTY, parse=load_setting)


def declaration() -> Declaration:
    return cast(EntitySettings, load(EntitySettings)).app_entities


def no_route() -> NotFound:
    """An undeclared entity path is an unknown route, answered like any other."""
    return NotFound("no such route")


def top_entity(path: str) -> Entity:
    entity = declaration().top(path)
    if entity is None:
        raise no_route()
    return entity
