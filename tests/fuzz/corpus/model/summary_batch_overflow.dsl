# Sizes at the limits: every dimension at moements.
input 1048576x1x1
upsample 1x65536
conv2d_transpose 1 1x1 same stride=1
conv2d 1 3 same stride=1048576
maxpool 1 same stride=1
flatten
reshape 1x1x1
flatten
dense 1048576
dense 10 softmax
train:
  batch 11048577048576
  epochs 1048576
