"""JSON Schemas (OpenAPI 3.0 dialect) of Connect's REST entities (reference section 6), used by the route
table to document requests and responses. ``ref(name)`` points into ``components/schemas``."""

from __future__ import annotations

from typing import Any

JsonSchema = dict[str, Any]


def ref(name: str) -> JsonSchema:
    return {"$ref": f"#/components/schemas/{name}"}


def array(items: JsonSchema) -> JsonSchema:
    return {"type": "array", "items": items}


def string_map(nullable_values: bool = False) -> JsonSchema:
    value: JsonSchema = {"type": "string"}
    if nullable_values:
        value["nullable"] = True
    return {"type": "object", "additionalProperties": value}


_STR: JsonSchema = {"type": "string"}
_NSTR: JsonSchema = {"type": "string", "nullable": True}
_INT: JsonSchema = {"type": "integer", "format": "int32"}
_BOOL: JsonSchema = {"type": "boolean"}
_STATES = ["UNASSIGNED", "RUNNING", "PAUSED", "FAILED", "RESTARTING", "STOPPED"]


def _obj(props: dict[str, JsonSchema], required: list[str] | None = None, *, closed: bool = False) -> JsonSchema:
    out: JsonSchema = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    if closed:  # Connect's Jackson binding rejects unknown properties of this entity
        out["additionalProperties"] = False
    return out


COMPONENTS: dict[str, JsonSchema] = {
    "ErrorMessage": _obj({"error_code": _INT, "message": _NSTR}, ["error_code", "message"]),
    "ServerInfo": _obj({"version": _STR, "commit": _STR, "kafka_cluster_id": _NSTR}, ["version", "commit"]),
    "WorkerStatus": _obj(
        {"status": {"type": "string", "enum": ["healthy", "starting", "unhealthy"]}, "message": _STR},
        ["status", "message"],
    ),
    "ConnectorTaskId": _obj({"connector": _STR, "task": _INT}, ["connector", "task"]),
    "ConnectorType": {"type": "string", "enum": ["source", "sink", "unknown"]},
    "ConnectorInfo": _obj(
        {
            "name": _STR,
            "config": string_map(),
            "tasks": array(ref("ConnectorTaskId")),
            "type": ref("ConnectorType"),
        },
        ["name", "config", "tasks"],
    ),
    "ConnectorState": _obj(
        {"state": {"type": "string", "enum": _STATES}, "worker_id": _NSTR, "trace": _STR}, ["state"]
    ),
    "TaskState": _obj(
        {"id": _INT, "state": {"type": "string", "enum": _STATES}, "worker_id": _NSTR, "trace": _STR},
        ["id", "state"],
    ),
    "ConnectorStateInfo": _obj(
        {
            "name": _STR,
            "connector": ref("ConnectorState"),
            "tasks": array(ref("TaskState")),
            "type": ref("ConnectorType"),
        },
        ["name", "connector", "tasks"],
    ),
    "TaskInfo": _obj({"id": ref("ConnectorTaskId"), "config": string_map()}, ["id", "config"]),
    "ConnectorExpansions": {
        "type": "object",
        "additionalProperties": _obj({"status": ref("ConnectorStateInfo"), "info": ref("ConnectorInfo")}),
    },
    "CreateConnectorRequest": _obj(
        {
            "name": _STR,
            "config": string_map(nullable_values=True),
            "initial_state": {
                "type": "string",
                "nullable": True,
                "description": "RUNNING, PAUSED or STOPPED (case-insensitive)",
            },
        },
        ["name", "config"],
        closed=True,
    ),
    "ConnectorConfig": string_map(nullable_values=True),
    "ConnectorConfigPatch": string_map(nullable_values=True),
    "ConnectorOffset": _obj(
        {
            "partition": {"type": "object", "additionalProperties": True},
            "offset": {"type": "object", "additionalProperties": True, "nullable": True},
        },
        ["partition"],
        closed=True,
    ),
    "ConnectorOffsets": _obj({"offsets": array(ref("ConnectorOffset"))}, closed=True),
    "Message": _obj({"message": _STR}, ["message"]),
    "ActiveTopics": {
        "type": "object",
        "additionalProperties": _obj({"topics": array(_STR)}, ["topics"]),
    },
    "PluginInfo": _obj(
        {
            "class": _STR,
            "type": {
                "type": "string",
                "enum": ["source", "sink", "converter", "header_converter", "transformation", "predicate"],
            },
            "version": _STR,
        },
        ["class", "type"],
    ),
    "ConfigKeyInfo": _obj(
        {
            "name": _STR,
            "type": _STR,
            "required": _BOOL,
            "default_value": _NSTR,
            "importance": _NSTR,
            "documentation": _NSTR,
            "group": _NSTR,
            "order_in_group": _INT,
            "width": _NSTR,
            "display_name": _NSTR,
            "dependents": array(_STR),
        },
        ["name", "type"],
    ),
    "ConfigValueInfo": _obj(
        {
            "name": _STR,
            "value": _NSTR,
            "recommended_values": array(_STR),
            "errors": array(_STR),
            "visible": _BOOL,
        },
        ["name"],
    ),
    "ConfigInfo": _obj(
        {
            "definition": {"allOf": [ref("ConfigKeyInfo")], "nullable": True},
            "value": {"allOf": [ref("ConfigValueInfo")], "nullable": True},
        }
    ),
    "ConfigInfos": _obj(
        {"name": _STR, "error_count": _INT, "groups": array(_STR), "configs": array(ref("ConfigInfo"))},
        ["name", "error_count", "groups", "configs"],
    ),
    "LoggerLevel": _obj(
        {"level": _STR, "last_modified": {"type": "integer", "format": "int64", "nullable": True}},
        ["level", "last_modified"],
    ),
    "LoggerLevels": {"type": "object", "additionalProperties": ref("LoggerLevel")},
    "LoggerLevelRequest": {**_obj({"level": _STR}, ["level"]), "additionalProperties": {"type": "string"}},
    "TaskConfigs": array(string_map()),
}
