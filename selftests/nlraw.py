#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send one raw generic netlink request to the "mwan" family.

  nlraw.py [--header H] [--dump] [--print] [--no-stats] COMMAND [ATTRS]

COMMAND is a command of enum mwan_cmd without its prefix (LINK_NEW) or a
number. ATTRS is a JSON list of attributes, each one of
  [NAME, TYPE, VALUE]   TYPE: u8 u16 u32 u64 s32, str (NUL added),
                        bin (hex payload), flag (no payload, no VALUE),
                        raw (hex bytes put in verbatim: no attribute header,
                        no padding; for malformed messages),
                        nest (VALUE: a list of attributes), bare-nest (the
                        same without NLA_F_NESTED)
  [NAME, [ATTRS...]]    short for a nest
NAME is the enumerator without the prefix that fits where it stands
(LINK at the top, NAME inside a LINK, MEMBER inside MEMBERS, ...), a full
enumerator name, or a number. Integer VALUEs may be numbers, strings such
as "0x3f00", or a constant of the header ("MWAN_LINK_DRAIN"). Every name
and number comes from include/uapi/linux/mwan.h, read at run time.

  nlraw.py LINK_NEW '[["LINK", [["NAME","str","wan1"],["IFINDEX","u32",3]]]]'

Prints "ok" and exits 0 when the kernel acknowledges, or prints
  error ERRNO: EXTACK-MESSAGE (offset N) at LINK/WEIGHT [policy ...]
and exits 1 when it refuses: the errno's name, the extended ack message
("-" if none), the offset the kernel blamed and which attribute of the
request lies there (LINK#2 is the second LINK of its parent), and the
policy bounds the kernel reported, if any. --dump sends a dump request and
prints how many objects came back. --print also prints every reply as JSON
(--no-stats: without the counters and the clock, a link's STATE_SECS).
Exit status 2: usage error or no answer.

  nlraw.py --batch [--print] < REQUESTS

reads one request per line ("[--dump] [--print] [--no-stats] COMMAND
[ATTRS]") on one socket and answers each with its result line at once
(with --print, the replies follow on that line as a JSON list): a test can
keep one running as a coprocess and avoid starting Python for every
request. Exit status: the worst one.
"""
import argparse
import errno
import itertools
import json
import os
import re
import socket
import struct
import sys

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLM_F_DUMP_INTR = 0x10
NLM_F_CAPPED = 0x100
NLM_F_ACK_TLVS = 0x200
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLMSG_OVERRUN = 4
NLA_F_NESTED = 0x8000
NLA_TYPE_MASK = 0x3fff
NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_OFFS = 2
NLMSGERR_ATTR_POLICY = 4
NLMSGERR_ATTR_MISS_TYPE = 5
NLMSGERR_ATTR_MISS_NEST = 6
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
HDRLEN = 16 + 4         # nlmsghdr + genlmsghdr: where attributes start
SEQ = itertools.count(2)    # 1 is the family lookup
# enum netlink_policy_type_attr, as reported in NLMSGERR_ATTR_POLICY
POLICY_FIELDS = {2: ("min", "q"), 3: ("max", "q"), 4: ("min", "Q"),
                 5: ("max", "Q"), 6: ("minlen", "I"), 7: ("maxlen", "I"),
                 12: ("mask", "Q")}

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_HEADER = os.path.join(HERE, "..", "include", "uapi", "linux", "mwan.h")

# Which enumerator prefix names the attributes inside a nest.
NEST_SPACE = {
    "MWAN_A_LINK": "MWAN_LINK_A_",
    "MWAN_A_POLICY": "MWAN_POLICY_A_",
    "MWAN_A_RULE": "MWAN_RULE_A_",
    "MWAN_A_LINKS": "MWAN_A_",
    "MWAN_A_POLICIES": "MWAN_A_",
    "MWAN_A_RULES": "MWAN_A_",
    "MWAN_POLICY_A_MEMBERS": "MWAN_POLICY_A_",
    "MWAN_POLICY_A_MEMBER": "MWAN_MEMBER_A_",
    "MWAN_LINK_A_STATS": "MWAN_STATS_A_",
    "MWAN_POLICY_A_STATS": "MWAN_STATS_A_",
}
TOP_SPACE = "MWAN_A_"
INT_TYPES = {"u8": "=B", "u16": "=H", "u32": "=I", "u64": "=Q", "s32": "=i"}


class Usage(Exception):
    pass


def c_eval(expr, consts):
    """Value of a C constant expression over integers and known names."""
    expr = re.sub(r"\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]+\b", r"\1", expr)
    expr = re.sub(r"\b[A-Za-z_]\w*\b",
                  lambda m: str(consts[m.group(0)]), expr)
    if not re.fullmatch(r"[0-9a-fA-FxX\s|&<>()+\-~*]+", expr):
        raise ValueError(expr)
    return int(eval(expr, {"__builtins__": {}}))


def read_header(path):
    """Every enumerator and numeric #define of the header: {name: value}."""
    with open(path) as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    consts = {}
    for m in re.finditer(r"^[ \t]*#define[ \t]+(\w+)[ \t]+([^\n]+)$", text, re.M):
        try:
            consts[m.group(1)] = c_eval(m.group(2), consts)
        except (KeyError, ValueError, SyntaxError):
            pass        # a string or a macro: not a number
    for m in re.finditer(r"\benum\s+\w+\s*\{(.*?)\}", text, re.S):
        value = -1
        for item in m.group(1).split(","):
            item = item.strip()
            if not item:
                continue
            name, _, expr = item.partition("=")
            name = name.strip()
            value = c_eval(expr, consts) if expr.strip() else value + 1
            consts[name] = value
    # the #defines that use enumerators (MWAN_A_MAX, ...)
    for m in re.finditer(r"^[ \t]*#define[ \t]+(\w+)[ \t]+([^\n]+)$", text, re.M):
        if m.group(1) not in consts:
            try:
                consts[m.group(1)] = c_eval(m.group(2), consts)
            except (KeyError, ValueError, SyntaxError):
                pass
    return consts


class Builder:
    """Encodes the JSON attribute tree and remembers where each one lies."""

    def __init__(self, consts):
        self.consts = consts
        self.where = {}         # offset in the message -> attribute path

    def attr_type(self, name, space):
        if isinstance(name, int):
            return name, str(name)
        if not isinstance(name, str):
            raise Usage("bad attribute name %r" % (name,))
        for full in (space + name, name):
            if full in self.consts:
                return self.consts[full], full
        try:
            return int(name, 0), name
        except ValueError:
            raise Usage("unknown attribute %s (in %s*)" % (name, space))

    def number(self, v):
        if isinstance(v, bool) or not isinstance(v, (int, str)):
            raise Usage("bad number %r" % (v,))
        if isinstance(v, int):
            return v
        if v in self.consts:
            return self.consts[v]
        try:
            return int(v, 0)
        except ValueError:
            raise Usage("bad number %r" % (v,))

    def encode(self, nodes, space, offset, path):
        try:
            return self.encode_list(nodes, space, offset, path)
        except (ValueError, TypeError, AttributeError, struct.error) as e:
            raise Usage("cannot encode %s: %s" % ("/".join(path) or "ATTRS",
                                                  e))

    def encode_list(self, nodes, space, offset, path):
        if not isinstance(nodes, list):
            raise Usage("attributes must be a list, not %r" % (nodes,))
        out = b""
        seen = {}
        names = []
        for node in nodes:
            if isinstance(node, list) and node:
                names.append(node[0])
        for node in nodes:
            if not isinstance(node, list) or len(node) not in (2, 3):
                raise Usage("bad attribute %r" % (node,))
            if len(node) == 2:
                if isinstance(node[1], str):    # ["X", "flag"]
                    node = [node[0], node[1], None]
                else:
                    node = [node[0], "nest", node[1]]
            name, kind, value = node
            if kind == "raw":
                out += bytes.fromhex(value)
                continue
            num, full = self.attr_type(name, space)
            label = str(name)
            seen[label] = seen.get(label, 0) + 1
            if names.count(name) > 1:
                label += "#%d" % seen[label]
            here = path + [label]
            start = offset + len(out)
            self.where[start] = "/".join(here)
            if kind in INT_TYPES:
                payload = struct.pack(INT_TYPES[kind], self.number(value))
            elif kind == "str":
                payload = value.encode() + b"\0"
            elif kind == "bin":
                payload = bytes.fromhex(value)
            elif kind == "flag":
                payload = b""
            elif kind in ("nest", "bare-nest"):
                inner = NEST_SPACE.get(full, full.rsplit("_A_", 1)[0] + "_A_")
                payload = self.encode(value, inner, start + 4, here)
                if kind == "nest":
                    num |= NLA_F_NESTED
            else:
                raise Usage("unknown type %r" % (kind,))
            attr = struct.pack("=HH", 4 + len(payload), num) + payload
            out += attr + b"\0" * (-len(attr) % 4)
        return out


def attrs_of(buf):
    """[(type, payload)] of the attributes in @buf."""
    out = []
    while len(buf) >= 4:
        alen, atype = struct.unpack_from("=HH", buf)
        if alen < 4 or alen > len(buf):
            break
        out.append((atype & NLA_TYPE_MASK, buf[4:alen]))
        buf = buf[(alen + 3) & ~3:]
    return out


def genl_msg(family, cmd, flags, seq, payload, version=1):
    return struct.pack("=IHHII", 16 + 4 + len(payload), family, flags, seq,
                       0) + struct.pack("=BBH", cmd, version, 0) + payload


def messages(sock):
    data = sock.recv(1 << 20)
    while len(data) >= 16:
        length, mtype, flags, seq, _ = struct.unpack_from("=IHHII", data)
        if length < 16 or length > len(data):
            break
        yield mtype, flags, seq, data[16:length]
        data = data[(length + 3) & ~3:]


def talk(sock, msg, seq, on_reply):
    """Send @msg, feed replies to @on_reply; (error, extack) at the end."""
    sock.send(msg)
    while True:
        for mtype, flags, mseq, body in messages(sock):
            if mseq != seq:
                continue
            if mtype == NLMSG_ERROR:
                err = struct.unpack_from("=i", body)[0]
                off = 4 + (16 if flags & NLM_F_CAPPED else
                           struct.unpack_from("=I", body, 4)[0])
                tlvs = attrs_of(body[off:]) if flags & NLM_F_ACK_TLVS else []
                return -err, dict(tlvs)
            if mtype == NLMSG_DONE:
                err = struct.unpack_from("=i", body)[0] if len(body) >= 4 else 0
                tlvs = attrs_of(body[4:]) if flags & NLM_F_ACK_TLVS else []
                return -err, dict(tlvs)
            if mtype == NLMSG_OVERRUN:
                return errno.EOVERFLOW, {}
            on_reply(mtype, flags, body)


def resolve_family(sock, name):
    found = {}

    def reply(mtype, flags, body):
        for atype, payload in attrs_of(body[4:]):
            if atype == CTRL_ATTR_FAMILY_ID:
                found["id"] = struct.unpack_from("=H", payload)[0]

    payload = struct.pack("=HH", 4 + len(name) + 1, CTRL_ATTR_FAMILY_NAME)
    payload += name.encode() + b"\0"
    payload += b"\0" * (-len(payload) % 4)
    err, _ = talk(sock, genl_msg(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                                 NLM_F_REQUEST | NLM_F_ACK, 1, payload),
                  1, reply)
    return err, found.get("id")


def decode(buf, space, consts, stats=True):
    """A reply's attributes as a JSON-able tree, names from the header."""
    names = {}
    for k, v in consts.items():     # enumerators before the *_MAX defines
        if k.startswith(space) and not k[len(space):].startswith("_"):
            names.setdefault(v, k[len(space):])
    out = []
    for atype, payload in attrs_of(buf):
        name = names.get(atype, str(atype))
        full = space + name
        # what changes with time alone, not with the config
        if name in ("STATS", "STATE_SECS") and not stats:
            continue
        if full in NEST_SPACE:
            out.append([name, decode(payload, NEST_SPACE[full], consts,
                                     stats)])
        elif name == "NAME" and payload.endswith(b"\0"):
            out.append([name, payload[:-1].decode(errors="replace")])
        elif len(payload) in (1, 2, 4, 8):
            fmt = {1: "=B", 2: "=H", 4: "=I", 8: "=Q"}[len(payload)]
            out.append([name, struct.unpack(fmt, payload)[0]])
        else:
            out.append([name, payload.hex()])
    return out


def describe_error(err, ext, where, consts):
    msg = ext.get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0").decode(
        errors="replace")
    text = "error %s: %s" % (errno.errorcode.get(err, str(err)), msg or "-")
    if NLMSGERR_ATTR_MISS_TYPE in ext:
        miss = struct.unpack_from("=I", ext[NLMSGERR_ATTR_MISS_TYPE])[0]
        nest = ext.get(NLMSGERR_ATTR_MISS_NEST)
        nest = struct.unpack_from("=I", nest)[0] if nest else None
        space = TOP_SPACE
        if nest is not None:
            leaf = where.get(nest, "").split("/")[-1].split("#")[0]
            space = NEST_SPACE.get(TOP_SPACE + leaf, space)
        names = [k[len(space):] for k, v in consts.items()
                 if k.startswith(space) and v == miss and
                 not k[len(space):].startswith("_")]
        text += " (missing attribute %s%s)" % (
            names[0] if names else miss,
            " in " + where.get(nest, "offset %d" % nest)
            if nest is not None else "")
    if NLMSGERR_ATTR_OFFS in ext:
        off = struct.unpack_from("=I", ext[NLMSGERR_ATTR_OFFS])[0]
        text += " (offset %d)" % off
        if off in where:
            text += " at " + where[off]
    if NLMSGERR_ATTR_POLICY in ext:
        bounds = []
        for atype, payload in attrs_of(ext[NLMSGERR_ATTR_POLICY]):
            if atype in POLICY_FIELDS and len(payload) == struct.calcsize(
                    "=" + POLICY_FIELDS[atype][1]):
                key, fmt = POLICY_FIELDS[atype]
                val = struct.unpack("=" + fmt, payload)[0]
                bounds.append("%s %s" % (key, hex(val) if key == "mask"
                                         else val))
        if bounds:
            text += " [policy " + " ".join(bounds) + "]"
    return text


def request(sock, family, consts, command, attrs, dump, replies,
            stats=True):
    """Send one request; (exit status, result line)."""
    cmd = consts.get("MWAN_CMD_" + command, consts.get(command))
    if cmd is None:
        try:
            cmd = int(command, 0)
        except ValueError:
            raise Usage("unknown command %s" % command)
    try:
        tree = json.loads(attrs)
    except ValueError as e:
        raise Usage("ATTRS is not JSON: %s" % e)
    builder = Builder(consts)
    payload = builder.encode(tree, TOP_SPACE, HDRLEN, [])
    count = [0]
    intr = [False]

    def reply(mtype, flags, body):
        if mtype != family:
            return
        count[0] += 1
        intr[0] |= bool(flags & NLM_F_DUMP_INTR)
        replies.append(decode(body[4:], TOP_SPACE, consts, stats))

    flags = NLM_F_REQUEST | (NLM_F_DUMP if dump else NLM_F_ACK)
    version = consts.get("MWAN_GENL_VERSION", 1)
    seq = next(SEQ)
    err, ext = talk(sock, genl_msg(family, cmd, flags, seq, payload, version),
                    seq, reply)
    if err:
        return 1, describe_error(err, ext, builder.where, consts)
    if dump:
        return 0, "%d%s" % (count[0], " interrupted" if intr[0] else "")
    warn = ext.get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0").decode(
        errors="replace")
    return 0, "ok" + (" (warning: %s)" % warn if warn else "")


def batch(sock, family, consts, show, stats):
    """One request per line of stdin, one result line each, at once."""
    rc = 0
    for line in sys.stdin:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        opts = set()
        while line.startswith("--"):
            opt, _, line = line.partition(" ")
            opts.add(opt)
            line = line.strip()
        command, _, attrs = line.partition(" ")
        replies = []
        try:
            if opts - {"--dump", "--print", "--no-stats"}:
                raise Usage("unknown option %s" % " ".join(opts))
            status, text = request(sock, family, consts, command,
                                   attrs.strip() or "[]", "--dump" in opts,
                                   replies,
                                   stats and "--no-stats" not in opts)
        except Usage as e:
            status, text = 2, "usage: %s" % e
        if (show or "--print" in opts) and replies:
            text += " " + json.dumps(replies)
        print(text, flush=True)
        rc = max(rc, status)
    return rc


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--header", default=DEFAULT_HEADER)
    p.add_argument("--family", default=None,
                   help="generic netlink family (default: MWAN_GENL_NAME)")
    p.add_argument("--dump", action="store_true",
                   help="dump request: print the number of objects")
    p.add_argument("--print", action="store_true", dest="show",
                   help="print every reply message as JSON")
    p.add_argument("--no-stats", action="store_false", dest="stats",
                   help="leave the counters (STATS) and STATE_SECS out of "
                        "what --print shows")
    p.add_argument("--batch", action="store_true",
                   help="read requests from stdin, one per line")
    p.add_argument("command", nargs="?")
    p.add_argument("attrs", nargs="?", default="[]")
    args = p.parse_args()
    if not args.batch and not args.command:
        p.error("COMMAND is required")

    try:
        consts = read_header(args.header)
        with open(args.header) as f:
            m = re.search(r'#define\s+MWAN_GENL_NAME\s+"([^"]+)"', f.read())
    except OSError as e:
        print("nlraw: %s" % e, file=sys.stderr)
        return 2
    family_name = args.family or (m.group(1) if m else "mwan")

    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
    sock.settimeout(10)
    sock.bind((0, 0))
    try:
        err, family = resolve_family(sock, family_name)
        if err or family is None:
            print("error %s: generic netlink family %s not found" %
                  (errno.errorcode.get(err, "ENOENT"), family_name),
                  flush=True)
            return 1
        if args.batch:
            return batch(sock, family, consts, args.show, args.stats)
        replies = []
        status, text = request(sock, family, consts, args.command,
                               args.attrs, args.dump, replies, args.stats)
    except Usage as e:
        print("nlraw: %s" % e, file=sys.stderr)
        return 2
    except socket.timeout:
        print("nlraw: no answer from the kernel", file=sys.stderr)
        return 2
    if args.show:
        for r in replies:
            print(json.dumps(r))
    print(text)
    return status


if __name__ == "__main__":
    sys.exit(main())
