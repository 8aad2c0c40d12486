input 28x28
  dense 10
conv2d 3X3
dense 10abc
let x = $y
block b:
train:
train:
