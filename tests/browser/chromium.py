"""Debian's Chromium as the browser tests and the benchmarks launch it, and the fake camera's video."""

import qrcode

# Never a downloaded browser. Without the background-networking flags Chromium keeps trying hosts
# this machine cannot reach.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
WIDTH, HEIGHT = 640, 480  # the fake camera's frames
PAPER, INK = 235, 16  # luma of white paper and of black print


def camera_frame(code=None):
    """The luma plane of one camera frame: the QR card with `code` in the middle, or blank paper."""
    luma = bytearray([PAPER]) * (WIDTH * HEIGHT)
    if code:
        matrix = qrcode.QRCode(border=4, box_size=1)
        matrix.add_data(code)
        matrix.make(fit=True)
        modules = matrix.get_matrix()
        scale = min(WIDTH, HEIGHT) * 3 // 4 // len(modules)
        left, top = (WIDTH - scale * len(modules)) // 2, (HEIGHT - scale * len(modules)) // 2
        for y, row in enumerate(modules):
            for x, dark in enumerate(row):
                if dark:
                    for dy in range(scale):
                        start = (top + y * scale + dy) * WIDTH + left + x * scale
                        luma[start : start + scale] = bytes([INK]) * scale
    return bytes(luma)


def write_video(path, frames, rate="10:1"):
    """Write a YUV4MPEG2 video of luma frames (grey, no colour) for Chromium's fake camera."""
    chroma = bytes([128]) * (WIDTH * HEIGHT // 2)
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{rate} Ip A1:1 C420jpeg\n".encode())
        for luma in frames:
            video.write(b"FRAME\n" + luma + chroma)
    return path
