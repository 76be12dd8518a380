"""Static files as a phone gets them: our own scripts and styles minified, text files compressed once.

Flask-Compress compresses every answer again at a quick brotli level, which is right for pages made per
request; a file that does not change is worth the slowest, smallest compression, done once per process.
"""

import gzip
import mimetypes
from functools import lru_cache
from pathlib import Path

import brotli
import rcssmin
import rjsmin
from flask import Response, current_app, request
from werkzeug.security import safe_join

COMPRESSED_SUFFIXES = {".js", ".css", ".svg"}
MINIFIERS = {".js": rjsmin.jsmin, ".css": rcssmin.cssmin}


def serve_static(filename):
    """The view of /static/<filename>: text files from memory, prepared once; the rest from the disk."""
    path = safe_join(current_app.static_folder, filename)
    if path is None or Path(path).suffix not in COMPRESSED_SUFFIXES or not Path(path).is_file():
        return current_app.send_static_file(filename)
    stat = Path(path).stat()
    versions = prepared(path, stat.st_mtime_ns, stat.st_size, minify=not current_app.debug)
    encoding = chosen_encoding()
    response = Response(versions[encoding], mimetype=mimetypes.guess_type(path)[0])
    if encoding != "identity":
        response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    if not request.args.get("v"):  # a URL without the content hash: ask again every time, cheaply
        response.set_etag(f"{stat.st_mtime_ns:x}-{stat.st_size:x}-{encoding}")
        response.cache_control.no_cache = True
        response.make_conditional(request)
    return response


def chosen_encoding():
    accepted = request.accept_encodings
    for encoding in ("br", "gzip"):
        if accepted[encoding]:
            return encoding
    return "identity"


@lru_cache(maxsize=64)
def prepared(path, mtime_ns, size, minify):
    """The file as sent: minified when it is our own script or style, then brotli and gzip at their best.

    The modification time and size are in the key so that an edited file is prepared again."""
    path = Path(path)
    body = path.read_bytes()
    minifier = MINIFIERS.get(path.suffix)
    if minify and minifier and not path.name.endswith(".min.js") and "vendor" not in path.parts:
        body = minifier(body.decode("utf-8")).encode("utf-8")
    return {
        "identity": body,
        "br": brotli.compress(body, quality=11),
        "gzip": gzip.compress(body, compresslevel=9, mtime=0),
    }
