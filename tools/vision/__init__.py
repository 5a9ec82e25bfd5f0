"""Inspection from a camera image: segment, measure, read a nameplate, describe.

    inspection.py   `inspect_image`, the one tool entry point (ToolResult + overlay)
    segmentation.py one `segment` call over two back-ends:
      sam.py        segment-anything from a checkpoint (`FIELDPILOT_SAM_CHECKPOINT`)
      classical.py  OpenCV GrabCut and defect thresholds when no checkpoint is set
    measure.py      area, box, length and width of a mask, in pixels and mm
    nameplate.py    OCR of a rating plate and the site device it names
    describe.py     a vision-language model's description, or one from the findings
    overlay.py      the picture a person checks the findings against
    images.py       reading images; every image is HWC uint8 RGB, points XY pixels

Importing this package loads neither torch nor OpenCV; each back-end loads its
own dependencies when first used.
"""
