"""The fixed output codes of LeNet-5's Euclidean RBF units (Section II-B, Fig. 3).

Each digit's code is its stylized 7x12 glyph from the paper's Fig. 3 read row by row: 84 values,
one per F6 unit. The paper does not say which colour is +1; "ink_positive" (ink = +1,
background = -1) is our default and "ink_negative" flips it (README, assumptions).
"""
import numpy as np

GLYPH_ROWS, GLYPH_COLS = 12, 7

# Fig. 3's glyphs of the digits 0..9 side by side, '#' = ink (../shared/paper/rbf_bitmaps_ascii.json).
DIGIT_GLYPHS = """
.#####. ...##.. .#####. ####### .#####. .#####. ..####. ####### .#####. .#####.
....... ..###.. ....... .....## ....... ....... .##.... .....## ##...## ##..###
..###.. .####.. .#####. ....##. ....... ####### ##..... .....## ##...## ##...##
.##.##. ...##.. ##...## ...##.. .##..## ##..... ##..... ....##. ##...## ##...##
##...## ...##.. #....## ..####. .##..## ##..... ######. ...##.. .#####. ##..###
##...## ...##.. ....##. .....## ###..## .####.. ###..## ...##.. ##...## .######
##...## ...##.. ..###.. .....## ##...## ..####. ##...## ..##... ##...## .....##
##...## ...##.. .##.... .....## ##...## .....## ##...## ..##... ##...## .....##
.##.##. ...##.. ##..... ##...## ##..### ##...## ###..## ..##... ##...## ....##.
..###.. .###### ####### .#####. .###### .#####. .#####. ..##... .#####. .####..
....... ....... ....... ....... .....## ....... ....... ....... ....... .......
....... ....... ....... ....... .....## ....... ....... ....... ....... .......
"""

POLARITIES = {"ink_positive": 1.0, "ink_negative": -1.0}


def glyphs() -> np.ndarray:
  """(10, 12, 7) booleans, True where the glyph of digit d has ink."""
  lines = DIGIT_GLYPHS.strip("\n").splitlines()
  assert len(lines) == GLYPH_ROWS, len(lines)
  cells = np.array([[row.split(" ") for row in lines]])[0]  # (12 rows, 10 digits) of strings
  return np.array([[[c == "#" for c in cells[r, d]] for r in range(GLYPH_ROWS)]
                   for d in range(10)])


def rbf_codes(polarity: str = "ink_positive") -> np.ndarray:
  """(10, 84) float32 codes of +1/-1: row d is digit d's glyph flattened row by row."""
  if polarity not in POLARITIES:
    raise ValueError(f"unknown model.rbf_polarity={polarity!r}; choose from {sorted(POLARITIES)}")
  ink = glyphs().reshape(10, GLYPH_ROWS * GLYPH_COLS)
  return (POLARITIES[polarity] * np.where(ink, 1.0, -1.0)).astype(np.float32)
