# cnn_same: conv64(same)-pool-conv32(same)-pool-dense64-10 (120,170 parameters); test 0.9077.
input 28x28x1
conv2d 64 3x3 same relu
maxpool 2
conv2d 32 3x3 same relu
maxpool 2
flatten
dense 64 relu
dense 10 softmax

train:
  loss crossentropy
  optimizer adam lr=0.001
  batch 128
  epochs 10
  validation 0.25
