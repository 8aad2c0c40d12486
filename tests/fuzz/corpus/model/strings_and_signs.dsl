let note = "a #quoted, value"
let rate = -2.5E+2
input +8
dense 1x2 $note
train:
  schedule exponential rate=0.9
