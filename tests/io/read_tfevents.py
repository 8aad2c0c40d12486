#!/usr/bin/env python3
"""Prints, as one JSON object, what the real `tensorboard` package reads from the event files in
a directory: the oracle that tests/io/tfevents_tensorboard_test.cpp checks gpufm's files against.

Usage: read_tfevents.py DIR

It reads them twice: with the classic EventAccumulator (Scalars, Images, Histograms), and with the
plugin EventAccumulator that TensorBoard's web app reads through, which migrates legacy values
into the "scalars", "images" and "histograms" plugins' tensors. Every PNG is decoded in full with Pillow (a
dependency of tensorboard).
"""

import io
import json
import sys

import tensorboard
from PIL import Image
from tensorboard.backend.event_processing import event_accumulator, plugin_event_accumulator
from tensorboard.util import tensor_util


def keep_everything(module):
    # A size guidance of 0 keeps every event instead of a reservoir sample.
    return {kind: 0 for kind in module.DEFAULT_SIZE_GUIDANCE}


def decoded_png(encoded):
    with Image.open(io.BytesIO(encoded)) as png:
        png.load()  # decodes every row; a broken stream raises here
        return {"format": png.format, "mode": png.mode, "width": png.width, "height": png.height}


def read_classic(directory):
    accumulator = event_accumulator.EventAccumulator(directory, size_guidance=keep_everything(event_accumulator))
    accumulator.Reload()
    tags = accumulator.Tags()
    scalars = {tag: [[event.step, event.value] for event in accumulator.Scalars(tag)] for tag in tags["scalars"]}
    images = {
        tag: [
            {"step": event.step, "width": event.width, "height": event.height,
             "png": decoded_png(event.encoded_image_string)}
            for event in accumulator.Images(tag)
        ]
        for tag in tags["images"]
    }
    histograms = {
        tag: [
            {"step": event.step, "min": event.histogram_value.min, "max": event.histogram_value.max,
             "num": event.histogram_value.num, "sum": event.histogram_value.sum,
             "sum_squares": event.histogram_value.sum_squares,
             "bucket_limit": list(event.histogram_value.bucket_limit), "bucket": list(event.histogram_value.bucket)}
            for event in accumulator.Histograms(tag)
        ]
        for tag in tags["histograms"]
    }
    return {"file_version": accumulator.file_version, "scalars": scalars, "images": images, "histograms": histograms}


def read_as_web_app(directory):
    accumulator = plugin_event_accumulator.EventAccumulator(
        directory, size_guidance=keep_everything(plugin_event_accumulator))
    accumulator.Reload()
    plugins = accumulator.ActivePlugins()
    scalars = {
        tag: [[event.step, float(tensor_util.make_ndarray(event.tensor_proto))] for event in accumulator.Tensors(tag)]
        for tag in (accumulator.PluginTagToContent("scalars") if "scalars" in plugins else {})
    }
    images = {}
    for tag in accumulator.PluginTagToContent("images") if "images" in plugins else {}:
        images[tag] = []
        for event in accumulator.Tensors(tag):
            width, height, *pngs = tensor_util.make_ndarray(event.tensor_proto).tolist()
            images[tag].append({"step": event.step, "width": int(width), "height": int(height),
                                "png": [decoded_png(png) for png in pngs]})
    # The histograms dashboard's tensors: a row (left edge, right edge, count) a bucket.
    histograms = {
        tag: [{"step": event.step, "buckets": tensor_util.make_ndarray(event.tensor_proto).tolist()}
              for event in accumulator.Tensors(tag)]
        for tag in (accumulator.PluginTagToContent("histograms") if "histograms" in plugins else {})
    }
    return {"scalars": scalars, "images": images, "histograms": histograms}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    directory = sys.argv[1]
    print(json.dumps({"tensorboard": tensorboard.__version__, "classic": read_classic(directory),
                      "web_app": read_as_web_app(directory)}))


if __name__ == "__main__":
    main()
