"""Loads clickwork's exports in the real readers and checks what they read.

Usage: check_exports.py EXPECTED_JSON

EXPECTED_JSON (written by tests/interop.rs) names the export folders and what each must hold:

    {"exports": {"coco": DIR, "yolo": DIR, "voc": DIR, "labelme": DIR, "labelme_linked": DIR, "cvat": DIR},
     "images": N, "labels": [...],
     "regions": {"coco": N, "yolo": N, "voc": N, "labelme": N, "cvat": N}}

Prints one line per reader and export, "accepted" or "REJECTED: why", and a last line
"N passed, N failed". Exits 1 if any reader rejected a file or read something other than what was written.
"""

import glob
import json
import os
import sys
import traceback

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

RESULTS = []


def check(reader, export, fn):
    try:
        detail = fn()
        RESULTS.append((reader, export, True, detail or ""))
    except Exception as e:  # noqa: BLE001 - every failure is reported, none hidden
        tb = traceback.format_exc(limit=3)
        RESULTS.append((reader, export, False, f"{type(e).__name__}: {e}\n{tb}"))


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def pycocotools_coco(spec):
    from pycocotools.coco import COCO

    path = os.path.join(spec["exports"]["coco"], "annotations", "instances_default.json")
    coco = COCO(path)
    expect(len(coco.getImgIds()) == spec["images"], f"{len(coco.getImgIds())} images")
    expect(min(coco.getImgIds()) >= 1, "an image id below 1")
    cats = coco.loadCats(coco.getCatIds())
    expect([c["name"] for c in cats] == spec["labels"], f"categories {cats}")
    anns = coco.loadAnns(coco.getAnnIds())
    expect(len(anns) == spec["regions"]["coco"], f"{len(anns)} annotations")
    for ann in anns:
        expect(ann["id"] >= 1 and ann["iscrowd"] == 0, f"annotation {ann['id']}")
        mask = coco.annToMask(ann)
        img = coco.loadImgs(ann["image_id"])[0]
        expect(mask.shape == (img["height"], img["width"]), f"mask shape {mask.shape}")
        if ann["area"] >= 4:
            expect(mask.sum() > 0, f"annotation {ann['id']}: empty mask for area {ann['area']}")
    return f"{len(anns)} masks"


def labelme_files(folder, spec, count_regions):
    from labelme import LabelFile

    files = sorted(glob.glob(os.path.join(folder, "*.json")))
    expect(len(files) == spec["images"], f"{len(files)} files")
    shapes = 0
    for f in files:
        lf = LabelFile(f)  # reads the JSON and the image it points at, checks the size
        expect(lf.image_data, f"{f}: no image data")
        for s in lf.shapes:
            expect(s["shape_type"] in ("rectangle", "polygon", "point"), s["shape_type"])
        shapes += len(lf.shapes)
    if count_regions:
        expect(shapes == spec["regions"]["labelme"], f"{shapes} shapes")
    return f"{len(files)} files, {shapes} shapes"


def datumaro_import(fmt, folder, spec, key, only=None):
    import datumaro as dm

    ds = dm.Dataset.import_from(folder, fmt)
    items = list(ds)
    expect(len(items) == spec["images"], f"{len(items)} items")
    # Datumaro reads each COCO instance as a polygon and a box; `only` counts one kind.
    anns = sum(1 for item in items for a in item.annotations if only is None or a.type == getattr(dm.AnnotationType, only))
    expect(anns == spec["regions"][key], f"{anns} annotations, expected {spec['regions'][key]}")
    labels = [c.name for c in ds.categories()[dm.AnnotationType.label]]
    for name in spec["labels"]:
        expect(name in labels, f"label {name} missing from {labels}")
    for item in items:
        expect(item.media is not None and item.media.size is not None, f"{item.id}: no image")
    return f"{len(items)} items, {anns} annotations"


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    exports = spec["exports"]
    check("pycocotools", "coco", lambda: pycocotools_coco(spec))
    check("labelme LabelFile", "labelme (copied images)", lambda: labelme_files(exports["labelme"], spec, True))
    check(
        "labelme LabelFile",
        "labelme (imagePath to the bundle)",
        lambda: labelme_files(exports["labelme_linked"], spec, True),
    )
    check("datumaro", "coco", lambda: datumaro_import("coco_instances", exports["coco"], spec, "coco", "polygon"))
    check("datumaro", "voc", lambda: datumaro_import("voc_detection", exports["voc"], spec, "voc"))
    check("datumaro", "yolo", lambda: datumaro_import("yolo", exports["yolo"], spec, "yolo"))
    check("datumaro", "cvat", lambda: datumaro_import("cvat", exports["cvat"], spec, "cvat"))

    failed = 0
    for reader, export, ok, detail in RESULTS:
        if ok:
            print(f"{reader:<18} {export:<36} accepted ({detail})")
        else:
            failed += 1
            print(f"{reader:<18} {export:<36} REJECTED: {detail}")
    print(f"{len(RESULTS) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
