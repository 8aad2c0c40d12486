input 4x4x1 # comment
conv2d filters=2 kernel=2 padding = valid
flatten
dense 2 softmax#c
train:
  optimizer nadam beta2=0.99
  schedule step every=5 factor=5e-1
