#!/usr/bin/env python3
"""Harbor's API contract, checked independently of both the product and the
simulator: reads the Harbor simulator's request logs (HARBORSIM_REQUEST_LOG_DIR,
one JSON line per request) and validates every request the PRODUCT sent (by its
User-Agent) against Harbor's own swagger: the operation exists for the method
and path, every query and header parameter is declared for it and holds its
type, enum and bounds, Harbor's `q` syntax holds, and a JSON body matches the
operation's schema. Validation is Debian's python3-jsonschema (draft 4, which
Swagger 2.0 schemas follow closely; see swagger_schema() for the differences).

usage: harbor_contract.py --swagger FILE --logs DIR [--user-agent-prefix harborrobot/]
                          [--skip-if-no-logs]
exit: 0 clean; 1 violations, or no product request at all; 2 usage error;
      77 (with --skip-if-no-logs) when no simulator wrote a log into DIR.
"""
import argparse
import collections
import glob
import json
import os
import re
import sys
import urllib.parse

try:
    import jsonschema
    import yaml
except ImportError as missing:  # pragma: no cover - the environment, not the code
    print(f"harbor_contract: {missing}; install python3-jsonschema and python3-yaml "
          "(tests/install-deps)", file=sys.stderr)
    sys.exit(2)

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_USAGE, EXIT_SKIP = 0, 1, 2, 77

# Served next to the API but not part of its swagger: never API operations.
NON_API = [
    ("/_sim/", "simulator admin (/_sim/)"),
    ("/v2/", "registry (/v2/)"),
    ("/service/token", "registry token service (/service/token)"),
    ("/c/", "portal session login (/c/)"),
    ("/api/version", "API version probe (/api/version)"),
]

# Keywords a Swagger 2.0 parameter shares with JSON Schema.
PARAMETER_KEYWORDS = ("type", "format", "enum", "maximum", "minimum", "exclusiveMaximum",
                      "exclusiveMinimum", "maxLength", "minLength", "pattern", "items",
                      "maxItems", "minItems", "uniqueItems", "multipleOf")
INTEGER_BOUNDS = {"int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1),
                  "uint64": (0, 2**64 - 1), "int8": (-128, 127)}
COLLECTION_SEPARATORS = {"csv": ",", "ssv": " ", "tsv": "\t", "pipes": "|"}


def non_api_kind(path):
    for prefix, kind in NON_API:
        if path.startswith(prefix) or path == prefix.rstrip("/"):
            return kind
    return None


def swagger_schema(node, in_all_of=False):
    """A Swagger 2.0 schema as JSON Schema draft 4:
    - `x-nullable`/`x-isnullable: true` (go-swagger) also admit null;
    - `type: file` admits anything (it is a multipart upload, not JSON);
    - `format` is not checked except integer widths (int32, int64, ...), which
      become bounds; `readOnly`, `discriminator`, `example` and other `x-`
      extensions are dropped;
    - an object with declared `properties` and no `additionalProperties` admits
      no other property: Harbor (go-swagger) silently ignores unknown fields, so
      a field the product sends that Harbor does not know is a bug, as an
      undeclared query parameter is.
    """
    if isinstance(node, list):
        return [swagger_schema(item, in_all_of) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key.startswith("x-") or key in ("readOnly", "discriminator", "example",
                                             "externalDocs"):
            continue
        if key == "type" and value == "file":
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: swagger_schema(item) for name, item in value.items()}
        elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
            out[key] = swagger_schema(value)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = swagger_schema(value, in_all_of=key == "allOf")
        else:
            out[key] = value
    if out.get("type") == "integer" and node.get("format") in INTEGER_BOUNDS:
        low, high = INTEGER_BOUNDS[node["format"]]
        out.setdefault("minimum", low)
        out.setdefault("maximum", high)
    if "properties" in out and "additionalProperties" not in out and not in_all_of:
        out["additionalProperties"] = False
    if node.get("x-nullable") is True or node.get("x-isnullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


class Operation:
    def __init__(self, spec, method, template, item, operation):
        self.method = method.upper()
        self.template = template
        self.segments = template.strip("/").split("/")
        self.id = operation.get("operationId") or f"{self.method} {template}"
        merged = {}
        for raw in (item.get("parameters") or []) + (operation.get("parameters") or []):
            parameter = spec.resolve_parameter(raw)
            merged[(parameter["name"] if parameter["in"] != "header"
                    else parameter["name"].lower(), parameter["in"])] = parameter
        self.parameters = {kind: {name: p for (name, where), p in merged.items() if where == kind}
                           for kind in ("path", "query", "header", "body", "formData")}
        self.body = next(iter(self.parameters["body"].values()), None)
        self.consumes = operation.get("consumes") or spec.consumes
        self._body_validator = None
        self._spec = spec

    def specificity(self):
        # Literal segments win over templates, earlier ones first, as routers do.
        return tuple(1 if segment.startswith("{") else 0 for segment in self.segments)

    def match(self, segments):
        if len(segments) != len(self.segments):
            return None
        values = {}
        for template, actual in zip(self.segments, segments):
            if template.startswith("{") and template.endswith("}"):
                if actual == "":
                    return None
                values[template[1:-1]] = actual
            elif template != actual:
                return None
        return values

    def body_validator(self):
        if self._body_validator is None:
            root = {"allOf": [swagger_schema(self.body["schema"])],
                    "definitions": self._spec.definitions}
            self._body_validator = jsonschema.Draft4Validator(root)
        return self._body_validator


class Spec:
    def __init__(self, document):
        if not isinstance(document, dict) or document.get("swagger") != "2.0":
            raise ValueError("not a Swagger 2.0 document (no `swagger: '2.0'`)")
        self.document = document
        self.base_path = document.get("basePath", "").rstrip("/")
        self.consumes = document.get("consumes") or ["application/json"]
        self.definitions = {name: swagger_schema(schema)
                            for name, schema in (document.get("definitions") or {}).items()}
        self.operations = []
        for template, item in (document.get("paths") or {}).items():
            for method, operation in item.items():
                if method in ("get", "put", "post", "delete", "options", "head", "patch"):
                    self.operations.append(Operation(self, method, template, item, operation))
        # Header parameters Harbor defines anywhere: sending one to an
        # operation that does not declare it means the product is confused.
        self.api_headers = {name for operation in self.operations
                            for name in operation.parameters["header"]}

    def resolve_parameter(self, raw):
        if "$ref" in raw:
            name = raw["$ref"].rsplit("/", 1)[-1]
            return self.document["parameters"][name]
        return raw

    def find(self, method, path):
        """(operation, path values, None) or (None, None, reason)."""
        if not (path == self.base_path or path.startswith(self.base_path + "/")):
            return None, None, f"not under the API base path {self.base_path}"
        rest = path[len(self.base_path):]
        segments = rest[1:].split("/") if rest else [""]
        matches = [(op, values) for op in self.operations
                   if (values := op.match(segments)) is not None]
        if not matches:
            return None, None, "no operation in the swagger has this path"
        with_method = [(op, values) for op, values in matches if op.method == method]
        if not with_method:
            allowed = sorted({f"{op.method} {op.template}" for op, _ in matches})
            return None, None, (f"method {method} is not declared for this path "
                                f"(declared: {', '.join(allowed)})")
        op, values = min(with_method, key=lambda pair: pair[0].specificity())
        return op, values, None


# ---- values -----------------------------------------------------------------

def parameter_schema(parameter):
    schema = {key: parameter[key] for key in PARAMETER_KEYWORDS if key in parameter}
    if "items" in schema:
        schema["items"] = swagger_schema(schema["items"])
    return swagger_schema(schema)


def typed(text, parameter, label):
    """A parameter's text as the value its type says, or raise ValueError."""
    kind = parameter.get("type", "string")
    if kind == "integer":
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            raise ValueError(f"{label}: {text!r} is not an integer")
        return int(text)
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"{label}: {text!r} is not a number") from None
    if kind == "boolean":
        if text not in ("true", "false"):
            raise ValueError(f"{label}: {text!r} is not a boolean (expected true or false)")
        return text == "true"
    if kind == "array":
        items = parameter.get("items") or {"type": "string"}
        separator = COLLECTION_SEPARATORS.get(parameter.get("collectionFormat", "csv"), ",")
        return [typed(part, items, label) for part in text.split(separator)]
    return text


def check_value(values, parameter, label):
    """Reasons `values` (the texts sent for one parameter) break `parameter`."""
    reasons = []
    if parameter.get("type") == "array" and parameter.get("collectionFormat") == "multi":
        try:
            value = [typed(text, parameter.get("items") or {}, label) for text in values]
        except ValueError as error:
            return [str(error)]
    else:
        if len(values) > 1:
            reasons.append(f"{label}: sent {len(values)} times; Harbor reads only the first")
        try:
            value = typed(values[0], parameter, label)
        except ValueError as error:
            return reasons + [str(error)]
    validator = jsonschema.Draft4Validator(parameter_schema(parameter))
    for error in sorted(validator.iter_errors(value), key=lambda e: list(e.path)):
        reasons.append(f"{label}: {values[0]!r}: {error.message}")
    return reasons


def check_harbor_q(text):
    """Harbor's `q` (src/lib/q): comma-separated k=v, k=~v, k=[a~b], k={a b},
    k=(a b); URL-decoded a second time by Harbor."""
    reasons = []
    if "+" in text:
        reasons.append(f"q: {text!r} contains '+', which Harbor's second URL-decoding turns "
                       "into a space (send %252B for a literal +)")
    if re.search(r"%(?![0-9A-Fa-f]{2})", text):
        reasons.append(f"q: {text!r}: Harbor URL-decodes q a second time and this has a "
                       "malformed %-escape (400)")
        return reasons
    decoded = urllib.parse.unquote_plus(text)
    for part in decoded.split(","):
        key, equals, value = part.partition("=")
        if not equals or not key.strip():
            reasons.append(f"q: {part!r} is not k=v (Harbor answers 400)")
        elif value.startswith("[") and not (value.endswith("]") and "~" in value):
            reasons.append(f"q: {part!r}: a range is k=[min~max]")
        elif value.startswith("{") and not value.endswith("}"):
            reasons.append(f"q: {part!r}: an or-list is k={{a b}}")
        elif value.startswith("(") and not value.endswith(")"):
            reasons.append(f"q: {part!r}: an and-list is k=(a b)")
    return reasons


def parse_query(raw):
    """[(name, value)] as Go's url.ParseQuery reads it, plus reasons it would refuse."""
    reasons = []
    if not raw:
        return [], reasons
    if ";" in raw:
        reasons.append("the query contains ';', which Go's net/url refuses")
    if re.search(r"%(?![0-9A-Fa-f]{2})", raw):
        reasons.append("the query has a malformed %-escape")
    pairs = []
    for piece in raw.split("&"):
        if piece == "":
            continue
        name, _, value = piece.partition("=")
        pairs.append((urllib.parse.unquote_plus(name), urllib.parse.unquote_plus(value)))
    return pairs, reasons


# ---- one request --------------------------------------------------------------

def check_request(spec, entry):
    """(operation or None, [reasons]) for one product request."""
    method = entry.get("method", "")
    path = entry.get("path", "")
    operation, path_values, reason = spec.find(method, path)
    if operation is None:
        return None, [reason]
    reasons = []
    for name, value in path_values.items():
        parameter = operation.parameters["path"].get(name)
        if parameter is None:
            reasons.append(f"path parameter {{{name}}} is not declared for {operation.id}")
        else:
            reasons += check_value([value], parameter, f"path parameter {name}")

    pairs, query_reasons = parse_query(entry.get("query", ""))
    reasons += query_reasons
    sent = collections.OrderedDict()
    for name, value in pairs:
        sent.setdefault(name, []).append(value)
    declared = operation.parameters["query"]
    for name, values in sent.items():
        parameter = declared.get(name)
        if parameter is None:
            known = ", ".join(sorted(declared)) or "none"
            reasons.append(f"undeclared query parameter {name!r} for {operation.id} "
                           f"(declared: {known}); Harbor ignores it")
            continue
        if all(value == "" for value in values) and not parameter.get("required"):
            continue  # go-swagger treats an empty optional parameter as absent
        reasons += check_value(values, parameter, f"query parameter {name}")
        if name == "q":
            reasons += check_harbor_q(values[0])
    for name, parameter in declared.items():
        if parameter.get("required") and not any(v != "" for v in sent.get(name, [])):
            reasons.append(f"required query parameter {name!r} is missing")

    headers = {name.lower(): value for name, value in (entry.get("headers") or {}).items()}
    for name, parameter in operation.parameters["header"].items():
        if name in headers:
            reasons += check_value([headers[name]], parameter, f"header {parameter['name']}")
        elif parameter.get("required"):
            reasons.append(f"required header {parameter['name']!r} is missing")
    for name in sorted(headers):
        if name in spec.api_headers and name not in operation.parameters["header"]:
            reasons.append(f"header {name!r} is a Harbor API header not declared for "
                           f"{operation.id}; Harbor ignores it")

    reasons += check_body(operation, entry)
    return operation, reasons


def check_body(operation, entry):
    body_bytes = entry.get("bodyBytes", 0) or 0
    body = entry.get("body")
    note = entry.get("bodyNote", "")
    content_type = (entry.get("contentType") or "").split(";")[0].strip().lower()
    if operation.body is None:
        if body_bytes > 0 and not operation.parameters["formData"]:
            return [f"a {body_bytes}-byte body sent to {operation.id}, which takes none"]
        return []
    if body_bytes == 0:
        return ["the required body is missing"] if operation.body.get("required") else []
    reasons = []
    if content_type not in [c.lower() for c in operation.consumes]:
        reasons.append(f"Content-Type {entry.get('contentType') or '(none)'!r} is not one "
                       f"{operation.id} consumes ({', '.join(operation.consumes)})")
    if note.startswith("not logged: over"):
        return reasons  # too large to check; counted in the summary
    if body is None:
        return reasons + [f"the body is not JSON ({note or 'unparsed'})"]
    for error in sorted(operation.body_validator().iter_errors(body),
                        key=lambda e: [str(p) for p in e.absolute_path]):
        where = "body" + "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]"
                                 for p in error.absolute_path)
        reasons.append(f"{where}: {error.message}")
    return reasons


# ---- the logs -----------------------------------------------------------------

class Report:
    def __init__(self):
        self.log_files = 0
        self.lines = 0
        self.unreadable = []           # (file:line, reason)
        self.checked = 0
        self.per_operation = collections.Counter()
        self.skipped_non_api = collections.Counter()
        self.other_agents = collections.Counter()
        self.unchecked_bodies = 0
        self.violations = collections.OrderedDict()  # key -> [entry, reasons, count, where]

    def add_violation(self, entry, reasons, where, operation):
        key = (entry.get("method"), entry.get("path"), entry.get("query"),
               json.dumps(entry.get("body"), sort_keys=True), tuple(reasons))
        if key in self.violations:
            self.violations[key][2] += 1
        else:
            self.violations[key] = [entry, reasons, 1, where, operation]

    def violation_count(self):
        return sum(item[2] for item in self.violations.values())


def agent_family(agent):
    return agent.split("/", 1)[0] if agent else "(none)"


def check_entries(spec, entries, user_agent_prefix, report=None):
    """Checks (entry, where) pairs; returns the Report."""
    report = report or Report()
    for entry, where in entries:
        agent = entry.get("userAgent") or ""
        if not agent.startswith(user_agent_prefix):
            report.other_agents[agent_family(agent)] += 1
            continue
        path = entry.get("path", "")
        kind = non_api_kind(path)
        if kind is not None:
            report.skipped_non_api[kind] += 1
            continue
        report.checked += 1
        operation, reasons = check_request(spec, entry)
        name = (f"{operation.id} ({operation.method} {operation.template})" if operation
                else "(no operation)")
        report.per_operation[name] += 1
        if str(entry.get("bodyNote", "")).startswith("not logged: over"):
            report.unchecked_bodies += 1
        if reasons:
            report.add_violation(entry, reasons, where, name)
    return report


def read_logs(directory, report):
    files = sorted(glob.glob(os.path.join(directory, "*.jsonl")))
    report.log_files = len(files)
    for file in files:
        with open(file, encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                report.lines += 1
                where = f"{os.path.basename(file)}:{number}"
                try:
                    entry = json.loads(line)
                    if not isinstance(entry, dict):
                        raise ValueError("not an object")
                except ValueError as error:
                    report.unreadable.append((where, str(error)))
                    continue
                yield entry, where


def load_spec(path):
    with open(path, encoding="utf-8") as f:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return Spec(yaml.load(f, Loader=loader))


def format_request(entry):
    query = entry.get("query") or ""
    line = f"{entry.get('method', '?')} {entry.get('path', '?')}" + (f"?{query}" if query else "")
    body = entry.get("body")
    if body is not None:
        text = json.dumps(body, sort_keys=True)
        body_text = text if len(text) <= 2000 else text[:2000] + "…"
    elif entry.get("bodyBytes"):
        body_text = f"({entry['bodyBytes']} bytes, {entry.get('bodyNote', 'not logged')})"
    else:
        body_text = "(none)"
    return line, body_text


def print_report(report, user_agent_prefix, out=None):
    out = out or sys.stdout
    print(f"harbor contract: {report.log_files} simulator log file(s), {report.lines} request(s)",
          file=out)
    print(f"  product requests (User-Agent {user_agent_prefix}*) checked against the swagger: "
          f"{report.checked}", file=out)
    for name, count in sorted(report.per_operation.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"    {count:6}  {name}", file=out)
    skipped_product = sum(report.skipped_non_api.values())
    print(f"  product requests outside the API, skipped: {skipped_product}", file=out)
    for kind, count in sorted(report.skipped_non_api.items()):
        print(f"    {count:6}  {kind}", file=out)
    print(f"  requests by other user agents, ignored: {sum(report.other_agents.values())}",
          file=out)
    for agent, count in sorted(report.other_agents.items()):
        print(f"    {count:6}  {agent}", file=out)
    if report.unchecked_bodies:
        print(f"  bodies too large to log, not checked: {report.unchecked_bodies}", file=out)
    for where, reason in report.unreadable:
        print(f"  warning: {where}: unreadable log line ({reason})", file=out)
    total = report.violation_count()
    print(f"  violations: {total} in {len(report.violations)} distinct request(s)", file=out)
    for number, (entry, reasons, count, where, operation) in enumerate(
            report.violations.values(), 1):
        line, body = format_request(entry)
        times = f" (x{count})" if count > 1 else ""
        print(f"\nVIOLATION {number}{times}: {line}", file=out)
        print(f"  operation: {operation}", file=out)
        print(f"  agent: {entry.get('userAgent', '')}; first seen at {where}; "
              f"answered {entry.get('status', '?')}", file=out)
        print(f"  body: {body}", file=out)
        for reason in reasons:
            print(f"  reason: {reason}", file=out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--swagger", required=True, help="Harbor's swagger.yaml (Swagger 2.0)")
    parser.add_argument("--logs", required=True,
                        help="directory of the simulators' harbor-sim-<pid>.jsonl files")
    parser.add_argument("--user-agent-prefix", default="harborrobot/",
                        help="requests whose User-Agent starts with this are the product's")
    parser.add_argument("--skip-if-no-logs", action="store_true",
                        help=f"exit {EXIT_SKIP} when no simulator wrote a log (nothing ran)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return EXIT_USAGE if stop.code else EXIT_CLEAN
    try:
        spec = load_spec(args.swagger)
    except (OSError, yaml.YAMLError, ValueError) as error:
        print(f"harbor_contract: --swagger {args.swagger}: {error}", file=sys.stderr)
        return EXIT_USAGE
    if not os.path.isdir(args.logs):
        if args.skip_if_no_logs and not os.path.exists(args.logs):
            print(f"harbor contract: {args.logs} does not exist: no test ran against the "
                  "Harbor simulator, nothing to check (skipped)")
            return EXIT_SKIP
        print(f"harbor_contract: --logs {args.logs}: not a directory", file=sys.stderr)
        return EXIT_USAGE
    report = Report()
    check_entries(spec, read_logs(args.logs, report), args.user_agent_prefix, report)
    if report.log_files == 0 and args.skip_if_no_logs:
        print(f"harbor contract: no simulator log in {args.logs}: no test ran against the "
              "Harbor simulator, nothing to check (skipped)")
        return EXIT_SKIP
    print_report(report, args.user_agent_prefix)
    if report.checked == 0:
        print(f"\nharbor contract: FAILED: no product request (User-Agent "
              f"{args.user_agent_prefix}*) to the Harbor API in {report.log_files} log file(s) "
              f"in {args.logs}; a check over nothing proves nothing")
        return EXIT_VIOLATIONS
    if report.violations:
        print(f"\nharbor contract: FAILED: {report.violation_count()} product request(s) break "
              "Harbor's swagger")
        return EXIT_VIOLATIONS
    print(f"\nharbor contract: OK: {report.checked} product request(s) match Harbor's swagger")
    return EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
